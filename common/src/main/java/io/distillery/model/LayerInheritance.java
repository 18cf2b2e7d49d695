package io.distillery.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeds a shallow student from chosen blocks of a deeper pretrained checkpoint: source block {@code blocks[k]}
 * becomes student block {@code k}; the embeddings (patch projection, CLS, embedding norm, positions) are kept.
 */
public final class LayerInheritance {
    private static final String TIMM_BLOCKS = "blocks.";

    private LayerInheritance() {}

    /**
     * @param source      tensors in timm naming
     * @param blocks      source block indices, in student order
     * @param sourceDepth number of blocks in the source checkpoint (for the range check)
     */
    public static <T> Map<String, T> selectBlocks(Map<String, T> source, int[] blocks, int sourceDepth) {
        return selectBlocks(source, blocks, sourceDepth, TIMM_BLOCKS);
    }

    /**
     * {@link #selectBlocks(Map, int[], int)} for another naming: block {@code n}'s tensors are those named
     * {@code stem + n + "." + rest} (Hugging Face BERT: {@code encoder.layer.}).
     */
    public static <T> Map<String, T> selectBlocks(Map<String, T> source, int[] blocks, int sourceDepth, String stem) {
        Pattern block = Pattern.compile(Pattern.quote(stem) + "(\\d+)\\.(.+)");
        if (blocks.length == 0) {
            throw new IllegalArgumentException("inherit at least one block");
        }
        Map<Integer, Integer> studentIndex = new LinkedHashMap<>();
        for (int k = 0; k < blocks.length; k++) {
            if (blocks[k] < 0 || blocks[k] >= sourceDepth) {
                throw new IllegalArgumentException("inherited block " + blocks[k] + " is outside the source's 0.."
                        + (sourceDepth - 1) + " (blocks " + Arrays.toString(blocks) + ")");
            }
            if (studentIndex.put(blocks[k], k) != null) {
                throw new IllegalArgumentException(
                        "block " + blocks[k] + " is inherited twice in " + Arrays.toString(blocks));
            }
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : source.entrySet()) {
            Matcher m = block.matcher(e.getKey());
            if (!m.matches()) {
                out.put(e.getKey(), e.getValue());
                continue;
            }
            Integer k = studentIndex.get(Integer.parseInt(m.group(1)));
            if (k != null) {
                out.put(stem + k + "." + m.group(2), e.getValue());
            }
        }
        return out;
    }
}
