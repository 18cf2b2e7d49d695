package io.distillery.targets;

/** Which tokens enter the normalisation statistics and the targets. */
public enum TargetTokens {
    /** Patch tokens only: the CLS token (index 0) is dropped first, as data2vec 2.0 does. */
    PATCHES,
    /** CLS and patch tokens. */
    ALL
}
