package io.distillery.image;

import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * ImageIO readers by format name, with the TwelveMonkeys plug-ins (CMYK/YCCK JPEG, WebP) made sure of.
 * ImageIO scans for plug-ins once, with the context class loader of whichever thread touches it first; in a Spark
 * executor that may not be the loader holding this job's jars, and the JDK's JPEG reader alone fails on CMYK.
 */
final class ImageIoReaders {
    static {
        registerPluginsImageIoMissed();
    }

    private ImageIoReaders() {}

    static Optional<ImageReader> forFormat(String formatName) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        return readers.hasNext() ? Optional.of(readers.next()) : Optional.empty();
    }

    private static void registerPluginsImageIoMissed() {
        if (ImageIO.getImageReadersByFormatName("webp").hasNext()) {
            return;
        }
        try {
            // TwelveMonkeys' providers order themselves ahead of the JDK's JPEG reader when registered
            IIORegistry.getDefaultInstance()
                    .registerServiceProviders(
                            ServiceLoader.load(ImageReaderSpi.class, ImageIoReaders.class.getClassLoader())
                                    .iterator());
        } catch (ServiceConfigurationError e) {
            // a broken provider elsewhere on the classpath: lookups then report the missing reader as UNSUPPORTED
        }
    }
}
