package io.distillery.image;

/**
 * One view of a source image: a crop box in source pixels (fractional allowed), resized to the model's size, then
 * mirrored when {@code flip}. Stored with every feature row so the student sees exactly the teacher's view.
 *
 * @param index 0 = eval view, 1.. = random views
 */
public record ViewSpec(int index, double x, double y, double width, double height, boolean flip) {
    public ViewSpec {
        if (index < 0) {
            throw new IllegalArgumentException("view index must be >= 0, got " + index);
        }
        if (!(width > 0) || !(height > 0) || x < 0 || y < 0) {
            throw new IllegalArgumentException("bad crop box x=" + x + " y=" + y + " w=" + width + " h=" + height);
        }
    }
}
