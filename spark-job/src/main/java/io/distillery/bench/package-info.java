/** Benchmarks with documented commands that print their tables (speed/size targets live here, not in tests). */
package io.distillery.bench;
