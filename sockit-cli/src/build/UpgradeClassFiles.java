import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (sockit-cli's pom runs it on the shaded sockit.jar, after the shade plugin): rewrites every
 * class file older than Java 6 (major version 50) as Java 8 (52), with stack maps generated, using only
 * the JDK's ClassFile API.
 *
 * <p>Why: picocli's classes are built for Java 5 (version 49), and the JVM's CDS and AOT cache (JEP 483,
 * 514) never archive a class older than version 50 (picocli issue #1623, where the maintainer suggests
 * Java 6+ bytecode). So without this, picocli's ~175 classes that a command loads are read, parsed and
 * verified from the jar on every run, AOT cache or not: ~50 ms of a one-shot {@code sockit daytime}.
 * From version 51 on, every method with branches needs a StackMapTable; the ClassFile API computes it,
 * resolving the class hierarchy from the jar itself first and then from the JDK.
 *
 * <p>Run as {@code java UpgradeClassFiles.java JAR}: rewrites JAR in place (through a temporary file and
 * a rename), keeping entry order and times; silent, as a quiet build wants. A jar with nothing to
 * upgrade is left untouched.
 */
public final class UpgradeClassFiles {
    static final int OLDEST_ARCHIVABLE = ClassFile.JAVA_6_VERSION;
    static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java UpgradeClassFiles.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrading");
        int upgraded = 0;
        try (ZipFile in = new ZipFile(jar.toFile())) {
            ClassFile cf = ClassFile.of(
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.ofResourceParsing(d -> open(in, d.descriptorString()))
                            .orElse(ClassHierarchyResolver.defaultResolver()).cached()),
                    ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(file)) {
                for (ZipEntry e : Collections.list(in.entries())) {
                    byte[] bytes;
                    try (InputStream s = in.getInputStream(e)) {
                        bytes = s.readAllBytes();
                    }
                    if (e.getName().endsWith(".class")) {
                        ClassModel m = cf.parse(bytes);
                        if (m.majorVersion() < OLDEST_ARCHIVABLE) {
                            bytes = upgrade(cf, m);
                            upgraded++;
                        }
                    }
                    ZipEntry copy = new ZipEntry(e.getName());
                    copy.setTime(e.getTime());
                    out.putNextEntry(copy);
                    out.write(bytes);
                    out.closeEntry();
                }
            }
        }
        if (upgraded > 0) {
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.delete(tmp);
        }
    }

    /** The same class as version 52: every method body passed through the builder, so its stack maps are generated. */
    static byte[] upgrade(ClassFile cf, ClassModel m) {
        return cf.transformClass(m, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen((cb, element) -> {
            if (element instanceof ClassFileVersion) {
                cb.withVersion(TARGET, 0);
            } else {
                cb.with(element);
            }
        }));
    }

    /** A class of the jar by descriptor ({@code Lpicocli/CommandLine;}), or null for the JDK's resolver to find. */
    private static InputStream open(ZipFile jar, String descriptor) {
        ZipEntry e = jar.getEntry(descriptor.substring(1, descriptor.length() - 1) + ".class");
        if (e == null) {
            return null;
        }
        try (InputStream s = jar.getInputStream(e)) {
            return new ByteArrayInputStream(s.readAllBytes());
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }
}
