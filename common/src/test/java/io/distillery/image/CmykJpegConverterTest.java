package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

class CmykJpegConverterTest {

    private static byte[] convert(boolean ycck, int... stored) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, stored.length / 4, 1, 4, null);
        raster.setPixels(0, 0, stored.length / 4, 1, stored);
        return CmykJpegConverter.toRgb(raster, ycck);
    }

    private static int[] unsigned(byte[] rgb) {
        int[] out = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = rgb[i] & 0xFF;
        }
        return out;
    }

    @Test
    void storedCmykIsInvertedInkConvertedWithPilsFormula() {
        // stored = 255 - ink; ink (128, 64, 32, 16) -> PIL (119, 179, 209); pure inks -> their RGB complements
        assertThat(unsigned(convert(false, 127, 191, 223, 239, 0, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 255)))
                .containsExactly(119, 179, 209, 0, 255, 255, 0, 0, 0, 255, 255, 255);
    }

    @Test
    void ycckGoesThroughLibjpegsYccTablesFirst() {
        // Y 128, Cb = Cr = 128 is RGB (128, 128, 128), i.e. stored CMY 127: the same colour as stored CMYK 127
        assertThat(unsigned(convert(true, 128, 128, 128, 255)))
                .containsExactly(unsigned(convert(false, 127, 127, 127, 255)));
        assertThat(unsigned(convert(true, 0, 128, 128, 255))).containsExactly(255, 255, 255);
        assertThat(unsigned(convert(true, 255, 128, 128, 255))).containsExactly(0, 0, 0);
    }

    @Test
    void rejectsRastersWithoutFourBands() {
        Raster rgb = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 1, 1, 3, null);
        assertThatThrownBy(() -> CmykJpegConverter.toRgb(rgb, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 3");
    }
}
