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
 * </ul>
 * Files and folders whose names start with {@code .} or {@code _} are ignored, as Hadoop and Spark do.
 * A shard that turns out to be damaged while reading fails with {@link io.distillery.shards.ShardCorruptException}
 * rather than ending early, so a half-read shard is never mistaken for a complete one.
 */
package io.distillery.shards;
