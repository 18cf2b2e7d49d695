package io.distillery.losses;

/** One named distillation loss with its parameters fixed; build one with {@link LossRegistry#create}. */
public interface LossTerm {

    /** The registry name, e.g. {@code "kd"}. */
    String type();

    /** The loss on one batch and its gradient with respect to {@link LossInputs#student()}. */
    LossValue compute(LossInputs inputs);
}
