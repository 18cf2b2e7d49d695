package io.distillery.cli;

import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/** Lower-case option values for the target enums, with the allowed values in the error. */
final class EnumConverters {
    private EnumConverters() {}

    static <E extends Enum<E>> E parse(Class<E> type, String value, String allowed) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not one of " + allowed, e);
        }
    }

    static final class TargetTensorConverter implements ITypeConverter<TargetTensor> {
        @Override
        public TargetTensor convert(String value) {
            return parse(TargetTensor.class, value, "ffn, block");
        }
    }

    static final class TargetTokensConverter implements ITypeConverter<TargetTokens> {
        @Override
        public TargetTokens convert(String value) {
            return parse(TargetTokens.class, value, "patches, all");
        }
    }
}
