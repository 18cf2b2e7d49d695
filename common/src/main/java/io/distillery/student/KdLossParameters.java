package io.distillery.student;

import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.kernels.NativeLayer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The learnable parameters of a CLIP-KD objective's terms (ICL's cross logit scale, AFD's fusion layers and scale)
 * as a graph layer, so they train with the student and are averaged with it: it appends them, flattened
 * ({@link KdParameterLayout}), to every row, {@code [B, W] -> [B, W + P]}, and sums each column's gradient over the
 * rows. Matrices are a weight parameter (weight decay), scalars and vectors a bias parameter (none). They start as
 * the reference initialises them (term t's from {@code seed + t}).
 */
public class KdLossParameters extends SameDiffLayer {
    public static final String WEIGHTS = "W";
    public static final String BIASES = "b";

    private int width;
    private List<ImageTextKdTerm> terms;
    private int studentWidth;
    private int teacherWidth;
    private long seed;

    protected KdLossParameters() {}

    /**
     * @param width the input columns (the student's embeddings and logit scale)
     * @param terms the objective's terms, in order
     */
    public KdLossParameters(int width, List<ImageTextKdTerm> terms, int studentWidth, int teacherWidth, long seed) {
        if (width < 1) {
            throw new IllegalArgumentException("loss parameter input width must be >= 1, got " + width);
        }
        this.width = width;
        this.terms = new ArrayList<>(terms);
        this.studentWidth = studentWidth;
        this.teacherWidth = teacherWidth;
        this.seed = seed;
    }

    KdParameterLayout layout() {
        return new KdParameterLayout(terms, studentWidth, teacherWidth);
    }

    /** Whether {@code terms} own any parameter (else the layer is left out of the graph). */
    public static boolean needed(List<ImageTextKdTerm> terms, int studentWidth, int teacherWidth) {
        return new KdParameterLayout(terms, studentWidth, teacherWidth).columns() > 0;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        KdParameterLayout layout = layout();
        if (layout.decayed() > 0) {
            params.addWeightParam(WEIGHTS, 1, layout.decayed());
        }
        if (layout.plain() > 0) {
            params.addBiasParam(BIASES, 1, layout.plain());
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        KdParameterLayout layout = layout();
        INDArray row = layout.initialRow(terms, studentWidth, teacherWidth, seed, DataType.DOUBLE);
        for (KdParameterLayout.Slot s : layout.slots()) {
            INDArray target = params.get(s.decayed() ? WEIGHTS : BIASES);
            target.get(NDArrayIndex.point(0), NDArrayIndex.interval(s.offset(), s.offset() + s.length()))
                    .assign(row.get(NDArrayIndex.interval(s.column(), s.column() + s.length())));
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        throw new UnsupportedOperationException("the loss parameters have no SameDiff definition (native engine only)");
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        if (!NativeEngine.enabled(dataType)) {
            throw new IllegalStateException("the loss parameters run on the native engine only (ND4J's CPU backend,"
                    + " FLOAT or DOUBLE); got " + dataType + " on "
                    + Nd4j.getBackend().getClass().getSimpleName());
        }
        return NativeLayer.create(
                this, new KdLossParametersMath(width, layout()), conf, index, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(width + layout().columns());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    // bean accessors: DL4J writes a layer's configuration to JSON through them

    public List<ImageTextKdTerm> getTerms() {
        return terms;
    }

    public void setTerms(List<ImageTextKdTerm> terms) {
        this.terms = terms;
    }

    public int getStudentWidth() {
        return studentWidth;
    }

    public void setStudentWidth(int studentWidth) {
        this.studentWidth = studentWidth;
    }

    public int getTeacherWidth() {
        return teacherWidth;
    }

    public void setTeacherWidth(int teacherWidth) {
        this.teacherWidth = teacherWidth;
    }

    public long getSeed() {
        return seed;
    }

    public void setSeed(long seed) {
        this.seed = seed;
    }
}
