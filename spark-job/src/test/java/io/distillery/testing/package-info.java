/** Test helpers shared by spark-job's tests. */
package io.distillery.testing;
