package io.distillery.image;

/**
 * One view of a source image: a crop box in source pixels (fractional allowed), resized to the model's size, then
 * mirrored when {@code flip}. Stored with every feature row so the student sees exactly the teacher's view.
 *
 * @param index  0 = the eval view, 1.. = random views
 * @param x      left edge of the box, source pixels
 * @param y      top edge of the box, source pixels
 * @param width  box width, source pixels
 * @param height box height, source pixels
 * @param flip   mirror horizontally after resizing
 */
public record ViewSpec(int index, double x, double y, double width, double height, boolean flip) {
    public ViewSpec {
        if (index < 0) {
            throw new IllegalArgumentException("view index must be >= 0, got " + index);
        }
        if (!(x >= 0) || !(y >= 0) || !Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("crop box origin must be finite and >= 0, got x=" + x + " y=" + y);
        }
        if (!(width > 0) || !(height > 0) || !Double.isFinite(width) || !Double.isFinite(height)) {
            throw new IllegalArgumentException("crop box size must be finite and > 0, got " + width + "x" + height);
        }
    }
}
