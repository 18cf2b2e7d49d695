/**
 * One writer per output: {@link io.distillery.locks.WriterLock} is an exclusive lock file created atomically on the
 * output's own filesystem (local or HDFS), holding its owner and refreshed by a heartbeat, so a second extract,
 * train, finetune or evaluate on the same output is refused at once, and a lock left by a dead run is taken over.
 */
package io.distillery.locks;
