package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.image.ImageNormalizer;
import io.distillery.model.clip.ClipModel;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An open_clip teacher's image side: each view's L2-normalised image embedding ({@code image_embedding} [E]). */
final class ClipViewTeacher implements ViewTeacher {
    private final ClipTeacher teacher;
    private final ImageNormalizer normalizer = new ImageNormalizer(ClipTeacher.MEAN, ClipTeacher.STD);

    ClipViewTeacher(ClipTeacher teacher) {
        this.teacher = teacher;
    }

    @Override
    public int imageSize() {
        return teacher.config().vision().imageSize();
    }

    @Override
    public BatchTensors run(List<PendingView> views) {
        int size = imageSize();
        int perImage = 3 * size * size;
        float[] pixels = new float[views.size() * perImage];
        for (int i = 0; i < views.size(); i++) {
            normalizer.writeChw(views.get(i).pixels(), pixels, i * perImage);
        }
        INDArray batch = Nd4j.create(pixels, new long[] {views.size(), 3, size, size}, 'c');
        INDArray embeddings = ClipModel.normalize(teacher.model().encodeImages(batch));
        BatchTensors tensors = new BatchTensors();
        tensors.floats()
                .put(FeatureColumns.IMAGE_EMBEDDING, embeddings.dup('c').data().asFloat());
        return tensors;
    }
}
