package io.distillery.eval;

/**
 * Both directions of an image-text retrieval evaluation.
 *
 * @param imageToText one query per image, the gallery is all captions; a hit is any caption of that image
 * @param textToImage one query per caption, the gallery is all images; a hit is the caption's image
 */
public record RetrievalMetrics(RetrievalRanks imageToText, RetrievalRanks textToImage) {}
