package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BicubicResampler} against Pillow's own {@code resize(..., BICUBIC)}: byte for byte, no tolerance. Both use
 * the same double-precision kernel, the same 22-bit fixed-point weights rounded half away from zero and the same
 * 8-bit intermediate, so any difference is a bug. The cases (odd sizes, up and down, one axis only, crops, values
 * that overshoot both clamps, which the generator checks) and the way to regenerate them are in
 * {@code pillow-bicubic/generate.py}.
 */
class BicubicResamplerPillowTest {

    private record Case(
            String name, RgbImage input, int x0, int y0, int x1, int y1, int outW, int outH, byte[] pillow) {}

    @Test
    void matchesPillowByteForByte() throws IOException {
        List<Case> cases = cases();
        assertThat(cases).hasSize(12);
        for (Case c : cases) {
            byte[] ours = BicubicResampler.resample(c.input(), c.x0(), c.y0(), c.x1(), c.y1(), c.outW(), c.outH());
            assertThat(ours)
                    .as(
                            "%s: %dx%d box (%d,%d)-(%d,%d) -> %dx%d",
                            c.name(),
                            c.input().width(),
                            c.input().height(),
                            c.x0(),
                            c.y0(),
                            c.x1(),
                            c.y1(),
                            c.outW(),
                            c.outH())
                    .isEqualTo(c.pillow());
        }
    }

    @Test
    void viewRendererGivesPillowsCropThenResizeForIntegerBoxes() throws IOException {
        int checked = 0;
        for (Case c : cases()) {
            if (c.outW() != c.outH()) {
                continue;
            }
            ViewSpec view = new ViewSpec(1, c.x0(), c.y0(), c.x1() - c.x0(), c.y1() - c.y0(), false);
            RgbImage rendered = ViewRenderer.render(c.input(), view, c.outW());
            assertThat(rendered.toRgbBytes()).as(c.name()).isEqualTo(c.pillow());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }

    private static List<Case> cases() throws IOException {
        try (InputStream raw = BicubicResamplerPillowTest.class.getResourceAsStream("/pillow-bicubic/cases.bin")) {
            assertThat(raw).as("pillow-bicubic/cases.bin on the test classpath").isNotNull();
            DataInputStream in = new DataInputStream(raw);
            assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("PILBIC1\n");
            String pillowVersion = string(in);
            assertThat(pillowVersion).isNotEmpty();
            int count = in.readInt();
            List<Case> cases = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = string(in);
                int w = in.readInt();
                int h = in.readInt();
                int x0 = in.readInt();
                int y0 = in.readInt();
                int x1 = in.readInt();
                int y1 = in.readInt();
                int outW = in.readInt();
                int outH = in.readInt();
                RgbImage input = new RgbImage(name, w, h, in.readNBytes(3 * w * h));
                byte[] pillow = in.readNBytes(3 * outW * outH);
                assertThat(pillow).as(name + " output bytes").hasSize(3 * outW * outH);
                cases.add(new Case(name, input, x0, y0, x1, y1, outW, outH, pillow));
            }
            assertThat(in.read()).as("end of cases.bin").isEqualTo(-1);
            return cases;
        }
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
    }
}
