package io.distillery.shards;

import java.util.Locale;

/**
 * A tar member's name split the webdataset way: {@code shard/000123.seg.png} has key {@code shard/000123} and
 * extension {@code seg.png} (everything after the first dot of the file name, lower-cased).
 */
record WebDatasetName(String key, String extension) {
    /** The split name, or null for names webdataset ignores: no dot, or a dot first ({@code .DS_Store, ._x.jpg}). */
    static WebDatasetName parse(String memberName) {
        String name = memberName.startsWith("./") ? memberName.substring(2) : memberName;
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', slash + 1);
        if (dot <= slash + 1 || dot == name.length() - 1) {
            return null;
        }
        return new WebDatasetName(
                name.substring(0, dot), name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    boolean isImage() {
        return switch (extension) {
            case "jpg", "jpeg", "png", "webp" -> true;
            default -> false;
        };
    }
}
