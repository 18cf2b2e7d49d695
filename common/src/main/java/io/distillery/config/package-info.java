/** Job configuration: HOCON files with typed, validated settings and one documented precedence. */
package io.distillery.config;
