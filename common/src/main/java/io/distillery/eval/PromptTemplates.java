package io.distillery.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Zero-shot prompt templates such as {@code "a photo of a {}."}: each template holds the placeholder {@code {}}
 * (Python's {@code str.format}, as open_clip's string templates) or {@code {c}} (the name open_clip's lambda
 * templates use), possibly more than once; every occurrence is replaced by the class name. Any other {@code {...}}
 * is an error, so a typo such as {@code {class}} is not silently left in the prompt.
 */
public final class PromptTemplates {

    private static final Pattern BRACES = Pattern.compile("\\{[^{}]*}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{c?}");

    private final List<String> templates;

    private PromptTemplates(List<String> templates) {
        this.templates = templates;
    }

    /** Checks every template; an empty list, a blank template or one without a placeholder is an error. */
    public static PromptTemplates of(List<String> templates) {
        if (templates == null || templates.isEmpty()) {
            throw new IllegalArgumentException("no prompt templates given");
        }
        for (int i = 0; i < templates.size(); i++) {
            check(templates.get(i), i);
        }
        return new PromptTemplates(List.copyOf(templates));
    }

    private static void check(String template, int index) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("prompt template " + index + " is empty");
        }
        Matcher m = BRACES.matcher(template);
        int placeholders = 0;
        while (m.find()) {
            if (!m.group().equals("{}") && !m.group().equals("{c}")) {
                throw new IllegalArgumentException("prompt template " + index + " \"" + template
                        + "\" has an unknown placeholder " + m.group() + " (use {} or {c})");
            }
            placeholders++;
        }
        if (placeholders == 0) {
            throw new IllegalArgumentException("prompt template " + index + " \"" + template
                    + "\" has no placeholder {} or {c} for the class name");
        }
    }

    public List<String> templates() {
        return templates;
    }

    public int size() {
        return templates.size();
    }

    /** The prompts for one class, in template order. */
    public List<String> expand(String className) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("class name is empty");
        }
        List<String> prompts = new ArrayList<>(templates.size());
        for (String t : templates) {
            // One pass, so braces inside a class name are kept as they are.
            prompts.add(PLACEHOLDER.matcher(t).replaceAll(Matcher.quoteReplacement(className)));
        }
        return prompts;
    }

    /**
     * The prompts of all classes, class-major ({@code classes x templates}, as open_clip builds them): prompt
     * {@code c * size() + t} is template t for class c. The text embeddings of this list, reshaped to
     * [classes, templates, D], are the input of {@link ZeroShotClassifier#fromTemplateEmbeddings}.
     */
    public List<String> expandAll(List<String> classNames) {
        if (classNames == null || classNames.isEmpty()) {
            throw new IllegalArgumentException("no class names given");
        }
        List<String> prompts = new ArrayList<>(classNames.size() * templates.size());
        for (String c : classNames) {
            prompts.addAll(expand(c));
        }
        return prompts;
    }
}
