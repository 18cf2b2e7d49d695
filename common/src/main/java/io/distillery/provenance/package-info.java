/** Provenance: build versions and checksums recorded with every checkpoint, dataset and CLI output. */
package io.distillery.provenance;
