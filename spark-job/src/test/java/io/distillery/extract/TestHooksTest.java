package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestHooksTest {
    @Test
    void productionHooksDoNothing() {
        assertThatCode(() -> TestHooks.NONE.afterBatch("s", Long.MAX_VALUE)).doesNotThrowAnyException();
    }

    @Test
    void anInjectedCrashComesOnceTheShardHasWrittenEnoughRows() {
        TestHooks hooks = new TestHooks(4, 0);
        assertThatCode(() -> hooks.afterBatch("00001", 3)).doesNotThrowAnyException();
        assertThatThrownBy(() -> hooks.afterBatch("00001", 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("injected crash in shard 00001 after 4 rows");
    }

    @Test
    void outsideAFirstTaskAttemptNothingCrashes() {
        assertThatCode(() -> new TestHooks(0, 0).forTask(null).afterBatch("00001", 100))
                .doesNotThrowAnyException();
    }
}
