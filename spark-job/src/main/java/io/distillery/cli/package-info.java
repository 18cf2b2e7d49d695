/** The {@code distillery} command line (picocli): one class per subcommand, its work in a separate class. */
package io.distillery.cli;
