package io.distillery.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class LossRegistryTest {

    @Test
    void knowsTheEightLossesByName() {
        assertThat(LossRegistry.types())
                .containsExactly("ce", "kd", "dkd", "lskd", "hidden", "attention", "pkt", "cosine");
        for (String type : LossRegistry.types()) {
            assertThat(LossRegistry.create(type, ConfigFactory.empty()).type()).isEqualTo(type);
        }
    }

    @Test
    void defaultsAreTheReferenceOnes() {
        assertThat(LossRegistry.defaults("dkd").root().unwrapped())
                .isEqualTo(Map.of("alpha", 1.0, "beta", 8.0, "temperature", 4.0, "warmup", 20.0));
        assertThat(LossRegistry.defaults("kd").getDouble("temperature")).isEqualTo(4.0);
        assertThat(LossRegistry.defaults("lskd").getDouble("temperature")).isEqualTo(2.0);
    }

    @Test
    void aSetParameterOverridesOnlyItsDefault() {
        var s = FiniteDifferenceGradientTest.gaussian(new java.util.Random(3), 2.0, 3, 5);
        var t = FiniteDifferenceGradientTest.gaussian(new java.util.Random(4), 2.0, 3, 5);
        LossInputs inputs = LossInputs.of(s, t).withLabels(new int[] {0, 1, 2}).atEpoch(10);

        double fromConfig = LossRegistry.create("dkd", ConfigFactory.parseString("beta = 2, warmup = 40"))
                .compute(inputs)
                .value();

        assertThat(fromConfig)
                .isEqualTo(new DkdLoss(1.0, 2.0, 4.0, 40).compute(inputs).value());
    }

    @Test
    void unknownTypeOrParameterIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> LossRegistry.create("kld", ConfigFactory.empty()))
                .hasMessage("unknown loss 'kld' (known: ce, kd, dkd, lskd, hidden, attention, pkt, cosine)");
        assertThatThrownBy(() -> LossRegistry.create("kd", ConfigFactory.parseString("temprature = 2")))
                .hasMessage("loss 'kd': unknown parameter temprature (known: temperature)");
        assertThatThrownBy(() -> LossRegistry.create("hidden", ConfigFactory.parseString("temperature = 2")))
                .hasMessage("loss 'hidden': unknown parameter temperature (known: none)");
        assertThatThrownBy(() -> LossRegistry.create("ce", ConfigFactory.parseString("label-smoothin = 0.1")))
                .hasMessage("loss 'ce': unknown parameter label-smoothin (known: label-smoothing)");
        assertThatThrownBy(() -> LossRegistry.create("kd", ConfigFactory.parseString("temperature = hot")))
                .hasMessage("kd.temperature must be a number, got 'hot'");
        assertThatThrownBy(() -> LossRegistry.create("kd", ConfigFactory.parseString("temperature = -1")))
                .hasMessage("kd: temperature must be > 0, got -1.0");
    }

    @Test
    void gradientKeepsTheStudentsType() {
        LossTerm kd = LossRegistry.create("kd", ConfigFactory.empty());
        var value = kd.compute(LossInputs.of(Nd4j.rand(DataType.FLOAT, 2, 3), Nd4j.rand(DataType.DOUBLE, 2, 3)));
        assertThat(value.gradient().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(value.gradient().shape()).containsExactly(2, 3);
    }
}
