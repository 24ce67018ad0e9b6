package dev.sockit.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * sockit.jar as the build leaves it: no class older than Java 6 (version 50), which the JVM's AOT cache
 * would not archive (src/build/UpgradeClassFiles.java rewrites picocli's), and every class passes the
 * verifier that version 50+ class files get (type checking against their stack maps).
 */
class ShadedJarIT {

    @Test
    void everyClassIsArchivableAndVerifies() throws IOException {
        List<String> old = new ArrayList<>();
        List<String> unverifiable = new ArrayList<>();
        int picocli = 0;
        try (ZipFile jar = new ZipFile(SockitProcess.jar().toFile())) {
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.ofResourceParsing(d -> open(jar, d.descriptorString()))
                            .orElse(ClassHierarchyResolver.defaultResolver())));
            for (ZipEntry e : Collections.list(jar.entries())) {
                if (!e.getName().endsWith(".class")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = jar.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                picocli += e.getName().startsWith("picocli/") ? 1 : 0;
                if (cf.parse(bytes).majorVersion() < ClassFile.JAVA_6_VERSION) {
                    old.add(e.getName());
                }
                cf.verify(bytes).stream().findFirst().ifPresent(error -> unverifiable.add(e.getName() + ": " + error.getMessage()));
            }
        }
        assertThat(picocli).as("picocli classes in the jar").isGreaterThan(100);
        assertThat(old).as("classes older than Java 6").isEmpty();
        assertThat(unverifiable).as("classes the verifier rejects").isEmpty();
    }

    private static InputStream open(ZipFile jar, String descriptor) {
        ZipEntry e = jar.getEntry(descriptor.substring(1, descriptor.length() - 1) + ".class");
        try {
            return e == null ? null : jar.getInputStream(e);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
