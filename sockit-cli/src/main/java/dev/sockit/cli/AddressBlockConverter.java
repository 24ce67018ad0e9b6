package dev.sockit.cli;

import dev.sockit.net.AddressBlock;
import picocli.CommandLine;

/** Reads one address block of {@code --allow}/{@code --deny}: {@code 192.0.2.0/24}, {@code 2001:db8::/32}, {@code ::1}. */
final class AddressBlockConverter implements CommandLine.ITypeConverter<AddressBlock> {
    @Override
    public AddressBlock convert(String value) {
        try {
            return AddressBlock.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
