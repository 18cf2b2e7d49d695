/** Spark plumbing shared by the jobs (sessions, settings that must be the same everywhere). */
package io.distillery.spark;
