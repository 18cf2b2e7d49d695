package io.distillery.importer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads back what the importer wrote. */
final class ShardFiles {
    private ShardFiles() {}

    /** A tar's members in order: name to content. */
    static Map<String, byte[]> members(Path tar) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar));
                TarArchiveInputStream tarIn = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tarIn.getNextTarEntry()) != null) {
                if (members.put(entry.getName(), tarIn.readAllBytes()) != null) {
                    throw new AssertionError(tar + " holds " + entry.getName() + " twice");
                }
            }
        }
        return members;
    }

    /** File names directly in {@code dir}, sorted. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Names of the {@code .tar} files directly in {@code dir}, sorted. */
    static List<String> tars(Path dir) throws IOException {
        List<String> tars = new ArrayList<>();
        for (String name : names(dir)) {
            if (name.endsWith(".tar")) {
                tars.add(name);
            }
        }
        return tars;
    }
}
