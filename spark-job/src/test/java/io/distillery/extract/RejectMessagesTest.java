package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reject messages never carry raw file bytes: escaped to printable ASCII and cut. */
class RejectMessagesTest {
    @Test
    void controlAndNonAsciiCharactersAreEscaped() {
        assertThat(RejectMessages.clean("bad header 'root:x:0:0\n\u0000\u00e9'"))
                .isEqualTo("bad header 'root:x:0:0\\u000a\\u0000\\u00e9'");
    }

    @Test
    void longMessagesAreCutAndSayHowLongTheyWere() {
        String cleaned = RejectMessages.clean("x".repeat(5000));
        assertThat(cleaned).isEqualTo("x".repeat(RejectMessages.MAX_CHARS) + "... (5000 chars)");
        assertThat(RejectMessages.clean("short")).isEqualTo("short");
        assertThat(RejectMessages.clean(null)).isEqualTo("(no message)");
    }
}
