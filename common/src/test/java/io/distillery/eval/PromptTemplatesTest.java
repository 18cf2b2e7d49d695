package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplatesTest {

    @Test
    void bothPlaceholderSpellingsAreFilledEveryTimeTheyOccur() {
        PromptTemplates t = PromptTemplates.of(List.of("a photo of a {}.", "{c}, a kind of {c}", "itap of a {c}."));
        assertThat(t.expand("coat")).containsExactly("a photo of a coat.", "coat, a kind of coat", "itap of a coat.");
    }

    @Test
    void expandAllIsClassMajorLikeOpenClip() {
        PromptTemplates t = PromptTemplates.of(List.of("a {}.", "the {}!"));
        assertThat(t.expandAll(List.of("bag", "dress")))
                .containsExactly("a bag.", "the bag!", "a dress.", "the dress!");
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void classNamesWithBracesOrDollarSignsAreInsertedLiterally() {
        PromptTemplates t = PromptTemplates.of(List.of("a {} here"));
        assertThat(t.expand("T-shirt/top {} $1")).containsExactly("a T-shirt/top {} $1 here");
    }

    @Test
    void aTemplateWithoutPlaceholderIsNamedInTheError() {
        assertThatThrownBy(() -> PromptTemplates.of(List.of("a {}.", "a photo.")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt template 1 \"a photo.\" has no placeholder {} or {c} for the class name");
    }

    @Test
    void unknownPlaceholdersAndEmptyInputAreErrors() {
        assertThatThrownBy(() -> PromptTemplates.of(List.of("a {class}.")))
                .hasMessageContaining("unknown placeholder {class}");
        assertThatThrownBy(() -> PromptTemplates.of(List.of())).hasMessage("no prompt templates given");
        assertThatThrownBy(() -> PromptTemplates.of(List.of(" "))).hasMessage("prompt template 0 is empty");
        PromptTemplates t = PromptTemplates.of(List.of("a {}."));
        assertThatThrownBy(() -> t.expand("")).hasMessage("class name is empty");
        assertThatThrownBy(() -> t.expandAll(List.of())).hasMessage("no class names given");
    }
}
