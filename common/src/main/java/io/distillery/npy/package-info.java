/**
 * Reading and writing numpy {@code .npy} files (format version 1.0), the exchange format of the
 * parity fixtures and of exported arrays. Everything is held as float32 in C order.
 */
package io.distillery.npy;
