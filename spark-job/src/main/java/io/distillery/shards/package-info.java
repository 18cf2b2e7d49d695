/** Listing dataset shards on the driver and reading raw samples of one shard on an executor. */
package io.distillery.shards;
