/**
 * Running a frozen encoder over image rows on the executors (one encoder per JVM, loaded from a path every executor
 * reads): pooled features for kNN / linear probes and classifier predictions for accuracy.
 */
package io.distillery.scoring;
