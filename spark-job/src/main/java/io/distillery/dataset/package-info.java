/** Reading feature datasets from Spark, with the version and completeness checks every consumer needs. */
package io.distillery.dataset;
