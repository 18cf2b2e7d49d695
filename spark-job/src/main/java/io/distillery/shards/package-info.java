/**
 * Dataset shards: listing them on the Spark driver ({@link io.distillery.shards.ShardLister}) and streaming the raw,
 * still encoded samples of one shard on an executor ({@link io.distillery.shards.ShardReader}).
 *
 * <p>Three layouts are read, from any Hadoop filesystem:
 * <ul>
 *   <li>{@code webdataset}: tar files as written by img2dataset; one shard per tar.</li>
 *   <li>{@code image-folder}: the ImageNet layout {@code root/<class>/<file>}; shards are fixed-size chunks of the
 *       sorted file list, labels are class-folder indices.</li>
 *   <li>{@code parquet}: img2dataset Parquet with the image bytes in a column; one shard per file, or per run of
 *       row groups for large files.</li>
 *   <li>{@code text-lines} (text input only): UTF-8 text files, one example per line; one shard per file.</li>
 * </ul>
 * With {@link io.distillery.shards.Modality#TEXT} a sample's caption is its text: webdataset reads {@code .txt} (or a
 * {@code caption}/{@code text} field of {@code .json}) and no image, Parquet reads the text column.
 * Files and folders whose names start with {@code .} or {@code _} are ignored, as Hadoop and Spark do.
 * A shard that turns out to be damaged while reading fails with {@link io.distillery.shards.ShardCorruptException}
 * rather than ending early, so a half-read shard is never mistaken for a complete one.
 */
package io.distillery.shards;
