/**
 * Importers that turn labelled image sets into webdataset tar shards, so that they flow through
 * {@code distillery extract} like any other webdataset input.
 *
 * <ul>
 *   <li>{@link io.distillery.importer.IdxReader}: strict reader of IDX files (MNIST, Fashion-MNIST): IDX3
 *       unsigned-byte images, IDX1 unsigned-byte labels, plain or gzip-compressed; a wrong magic, a truncated file,
 *       trailing bytes or an image/label count mismatch is an {@link io.distillery.importer.IdxFormatException}
 *       with a one-line message naming the file. {@link io.distillery.importer.IdxWriter} writes the same format.</li>
 *   <li>{@link io.distillery.importer.WebDatasetImporter}: any {@link io.distillery.importer.LabelledImageSet} to
 *       shards {@code PREFIX-000000.tar, ...} of {@code KEY.png} + {@code KEY.cls} samples, each shard written under
 *       a temporary name and renamed, and {@code import.json} ({@link io.distillery.importer.ImportManifest}: counts,
 *       class names, source SHA-256s, shard SHA-256s) written last, so a folder without it is a partial import.</li>
 * </ul>
 * The command line is {@code distillery import-idx}.
 */
package io.distillery.importer;
