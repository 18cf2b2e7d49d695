package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.distillery.losses.imagetext.ImageTextInputs;
import io.distillery.losses.imagetext.ImageTextLossRegistry;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.text.TextEncoderGraph;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The multimodal student trained as a CLIP-style student on a CLIP teacher's cached embeddings
 * ({@link ImageTextStudentGraph#kdConfiguration}, {@link ImageTextKdLoss}): its score is the weighted sum of the
 * library's losses on its own embeddings, its gradients (encoders, logit scale, the terms' own parameters) match
 * finite differences, its configuration survives JSON, and Adam steps lower the objective.
 */
class ImageTextKdStudentTest extends TinyImageText {
    static final int EMBED = 4;
    private static final double TEACHER_SCALE = 50;

    /** Every term the trainer accepts, each owning parameters or not, weighted unevenly. */
    private static final List<ImageTextKdTerm> ALL = List.of(
            new ImageTextKdTerm("clip", 1.0, Map.of()),
            new ImageTextKdTerm("fd", 20.0, Map.of()),
            new ImageTextKdTerm("icl", 0.5, Map.of()),
            new ImageTextKdTerm("crd", 0.7, Map.of("temperature", 2.0)),
            new ImageTextKdTerm("gd", 3.0, Map.of()),
            new ImageTextKdTerm("afd", 0.3, Map.of()));

    static ImageTextStudentConfig config(int shared, int top) {
        ModelConfig image = image(ModelFamily.DATA2VEC2, shared);
        return new ImageTextStudentConfig(image, 11, 7, 2, TEXT_TOKENS, top, EMBED, 0, 0, 1);
    }

    static ImageTextKdLoss loss(List<ImageTextKdTerm> terms) {
        return new ImageTextKdLoss(EMBED, EMBED, TEACHER_SCALE, terms);
    }

    private static ComputationGraph graph(List<ImageTextKdTerm> terms) {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.kdConfiguration(
                config(1, 1),
                loss(terms),
                5,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp())));
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.3)); // off the init values
        return net;
    }

    /** The teacher's cached embeddings, unit rows: image then text [3, 2E]. */
    static INDArray teacher() {
        Nd4j.getRandom().setSeed(29);
        INDArray image = Nd4j.randn(DataType.DOUBLE, 3, EMBED);
        INDArray text = Nd4j.randn(DataType.DOUBLE, 3, EMBED);
        image.diviColumnVector(image.norm2(true, 1));
        text.diviColumnVector(text.norm2(true, 1));
        return Nd4j.hstack(image, text);
    }

    @Test
    void scoreIsTheWeightedSumOfTheLibraryLossesOnTheStudentsEmbeddings() {
        ComputationGraph net = graph(ALL);
        INDArray teacher = teacher();
        Map<String, INDArray> acts = net.feedForward(inputs(), false);
        INDArray image = acts.get(ImageTextStudentGraph.IMAGE_PROJECTION);
        INDArray text = acts.get(ImageTextStudentGraph.TEXT_PROJECTION);
        double logScale = net.getLayer(ImageTextStudentGraph.LOGIT_SCALE)
                .getParam(LogitScale.LOG_SCALE)
                .getDouble(0);
        INDArray row = acts.get(ImageTextStudentGraph.LOSS_PARAMETERS)
                .get(
                        NDArrayIndex.point(0),
                        NDArrayIndex.interval(
                                2L * EMBED + 1,
                                acts.get(ImageTextStudentGraph.LOSS_PARAMETERS).size(1)));
        KdParameterLayout layout = new KdParameterLayout(ALL, EMBED, EMBED);
        assertThat(layout.columns()).isEqualTo(1 + (2 * (2 * EMBED * EMBED + EMBED) + 1));
        double expected = 0;
        for (int t = 0; t < ALL.size(); t++) {
            ImageTextKdTerm term = ALL.get(t);
            ImageTextInputs in = new ImageTextInputs(
                    image,
                    text,
                    teacher.get(NDArrayIndex.all(), NDArrayIndex.interval(0, EMBED)),
                    teacher.get(NDArrayIndex.all(), NDArrayIndex.interval(EMBED, 2 * EMBED)),
                    TEACHER_SCALE,
                    logScale,
                    layout.parametersOf(t, row));
            expected += term.weight()
                    * ImageTextLossRegistry.create(term.type(), ConfigFactory.parseMap(term.params()))
                            .compute(in)
                            .value();
        }
        double score = net.score(new MultiDataSet(inputs(), new INDArray[] {teacher}));
        assertThat(score).isCloseTo(expected, Offset.offset(1e-10 * Math.abs(expected)));
    }

    @Test
    void gradientsMatchFiniteDifferencesForEveryTermAndParameter() {
        ComputationGraph net = graph(ALL);
        List<String> failures =
                SampledGradientCheck.failures(net, inputs(), new INDArray[] {teacher()}, 2, 1e-6, 1e-4, 1e-7);
        assertThat(failures).isEmpty();
        assertThat(net.paramTable())
                .containsKeys(
                        ImageTextStudentGraph.LOSS_PARAMETERS + "_" + KdLossParameters.WEIGHTS,
                        ImageTextStudentGraph.LOSS_PARAMETERS + "_" + KdLossParameters.BIASES);
    }

    @Test
    void lossParametersStartAsTheReferenceInitialisesThem() {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.kdConfiguration(
                config(1, 0), loss(ALL), 5, TextEncoderGraph.base(42, DataType.DOUBLE)));
        net.init();
        INDArray biases = net.getLayer(ImageTextStudentGraph.LOSS_PARAMETERS).getParam(KdLossParameters.BIASES);
        // icl's cross_logit_scale comes first among the scalars: ln(1/0.07)
        assertThat(biases.getDouble(0)).isCloseTo(Math.log(1 / 0.07), Offset.offset(1e-12));
        INDArray weights = net.getLayer(ImageTextStudentGraph.LOSS_PARAMETERS).getParam(KdLossParameters.WEIGHTS);
        double bound = 1 / Math.sqrt(2.0 * EMBED); // nn.Linear(2E, E)
        assertThat(weights.amaxNumber().doubleValue())
                .isLessThanOrEqualTo(bound)
                .isGreaterThan(0);
    }

    @Test
    void withoutParametrisedTermsTheGraphHasNoParameterLayer() {
        ComputationGraphConfiguration conf = ImageTextStudentGraph.kdConfiguration(
                config(1, 0),
                loss(List.of(new ImageTextKdTerm("clip", 1, Map.of()), new ImageTextKdTerm("fd", 2000, Map.of()))),
                5,
                TextEncoderGraph.base(42, DataType.DOUBLE));
        assertThat(conf.getVertices()).doesNotContainKey(ImageTextStudentGraph.LOSS_PARAMETERS);
        assertThat(conf.getNetworkOutputs()).containsExactly(ImageTextStudentGraph.CONTRASTIVE_LOSS);
    }

    @Test
    void configurationSurvivesJson() {
        ComputationGraph net = graph(ALL);
        String json = net.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertThat(back.toJson()).isEqualTo(json);
        ComputationGraph rebuilt = new ComputationGraph(back);
        rebuilt.init(net.params().dup(), false);
        MultiDataSet batch = new MultiDataSet(inputs(), new INDArray[] {teacher()});
        assertThat(rebuilt.score(batch)).isEqualTo(net.score(batch));
    }

    @Test
    void refusesUnknownTermsAndParametersNamingThem() {
        assertThatThrownBy(() -> new ImageTextKdTerm("fdd", 1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown image-text loss 'fdd'");
        assertThatThrownBy(() -> new ImageTextKdTerm("crd", 1, Map.of("temprature", 2.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temprature");
        assertThatThrownBy(() -> new ImageTextKdTerm("fd", -1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fd': weight");
    }

    @Test
    void termsWithoutParametersScoreAndTrainWithoutAParameterLayer() {
        List<ImageTextKdTerm> terms =
                List.of(new ImageTextKdTerm("clip", 1, Map.of()), new ImageTextKdTerm("fd", 30, Map.of()));
        ComputationGraph net = graph(terms);
        assertThat(net.getVertex(ImageTextStudentGraph.LOSS_PARAMETERS)).isNull();
        INDArray teacher = teacher();
        Map<String, INDArray> acts = net.feedForward(inputs(), false);
        double logScale = net.getLayer(ImageTextStudentGraph.LOGIT_SCALE)
                .getParam(LogitScale.LOG_SCALE)
                .getDouble(0);
        ImageTextInputs in = ImageTextInputs.ofStudent(
                        acts.get(ImageTextStudentGraph.IMAGE_PROJECTION),
                        acts.get(ImageTextStudentGraph.TEXT_PROJECTION),
                        logScale)
                .withTeacher(
                        teacher.get(NDArrayIndex.all(), NDArrayIndex.interval(0, EMBED)),
                        teacher.get(NDArrayIndex.all(), NDArrayIndex.interval(EMBED, 2 * EMBED)),
                        TEACHER_SCALE);
        double expected = terms.get(0).loss().compute(in).value()
                + 30 * terms.get(1).loss().compute(in).value();
        MultiDataSet batch = new MultiDataSet(inputs(), new INDArray[] {teacher});
        assertThat(net.score(batch)).isCloseTo(expected, Offset.offset(1e-10 * expected));
        assertThat(SampledGradientCheck.failures(net, inputs(), new INDArray[] {teacher}, 2, 1e-6, 1e-4, 1e-7))
                .isEmpty();
    }

    @Test
    void adamStepsLowerTheObjectiveAndTrainTheTermsParameters() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        List<ImageTextKdTerm> terms = List.of(
                new ImageTextKdTerm("clip", 1, Map.of()),
                new ImageTextKdTerm("fd", 50, Map.of()),
                new ImageTextKdTerm("icl", 1, Map.of()));
        ComputationGraph net = ImageTextStudentGraph.createKd(
                config(1, 1),
                loss(terms),
                new Optimization(3e-3, 3e-3, 0, 40, 0.0, 0.9, 0.999, 0.0, 7),
                DataType.FLOAT);
        INDArray[] in = inputs();
        for (int i = 0; i < in.length; i++) {
            in[i] = in[i].castTo(DataType.FLOAT);
        }
        MultiDataSet batch = new MultiDataSet(in, new INDArray[] {teacher().castTo(DataType.FLOAT)});
        double before = net.score(batch);
        double cross = net.getLayer(ImageTextStudentGraph.LOSS_PARAMETERS)
                .getParam(KdLossParameters.BIASES)
                .getDouble(0);
        for (int step = 0; step < 40; step++) {
            net.fit(batch);
        }
        double after = net.score(batch);
        assertThat(after).isLessThan(0.7 * before);
        assertThat(net.getLayer(ImageTextStudentGraph.LOSS_PARAMETERS)
                        .getParam(KdLossParameters.BIASES)
                        .getDouble(0))
                .isNotEqualTo(cross);
    }
}
