package io.distillery.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelledTextsTest {
    /** 1000 examples sorted by label, 10 classes of 100: the first 100 lines would be one class. */
    private static List<LabelledTexts.Example> sortedByLabel() {
        List<LabelledTexts.Example> examples = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            examples.add(new LabelledTexts.Example("train.txt:" + (i + 1), "class" + (i / 100), "text " + i));
        }
        return examples;
    }

    @Test
    void sampleCoversEveryClassOfALabelSortedFileKeepsFileOrderAndIsSeeded() {
        List<LabelledTexts.Example> all = sortedByLabel();
        List<LabelledTexts.Example> sample = LabelledTexts.sample(all, 100, 7);
        assertThat(sample).hasSize(100);
        assertThat(sample.stream().map(LabelledTexts.Example::label).distinct()).hasSize(10);
        List<Integer> positions = sample.stream().map(all::indexOf).toList();
        assertThat(positions).isSorted();
        assertThat(LabelledTexts.sample(all, 100, 7)).isEqualTo(sample);
        assertThat(LabelledTexts.sample(all, 100, 8)).isNotEqualTo(sample);
    }

    @Test
    void sampleOfAtLeastTheWholeSetOrZeroKeepsEverything() {
        List<LabelledTexts.Example> all = sortedByLabel();
        assertThat(LabelledTexts.sample(all, 0, 1)).isSameAs(all);
        assertThat(LabelledTexts.sample(all, 1000, 1)).isSameAs(all);
        assertThat(LabelledTexts.sample(all, 5000, 1)).isSameAs(all);
    }
}
