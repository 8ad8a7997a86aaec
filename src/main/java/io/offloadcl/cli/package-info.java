/** The picocli command-line tool; nothing imports it. */
package io.offloadcl.cli;
