package io.distillery.shards;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A tar stream that fails where commons-compress (1.23) quietly reports a clean end of archive: a file that ends
 * inside or right before a header without the end-of-archive marker, and a header with a bad checksum. Truncation
 * inside member data already fails in commons-compress ("Truncated TAR archive"), and does so here even for members
 * that are skipped, because skipping reads through instead of seeking (some filesystems seek past the end).
 *
 * <p>Errors of the underlying filesystem surface as {@link SourceException}, so callers can tell a damaged archive
 * (no use retrying) from a failed read (worth retrying).
 *
 * <p>Old-GNU sparse members with more than four holes use checksum-less extension records and are reported as bad
 * headers; tar writers of image datasets never produce them.
 */
final class StrictTarInputStream extends TarArchiveInputStream {

    /** An I/O error of the stream the tar is read from, as opposed to a problem with the tar itself. */
    static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private boolean endMarkerSeen;

    StrictTarInputStream(InputStream source) {
        super(new ReadThroughSource(source));
    }

    @Override
    protected byte[] readRecord() throws IOException {
        long offset = getBytesRead();
        byte[] record = super.readRecord();
        if (record == null) {
            if (!endMarkerSeen) {
                throw new IOException("archive ends at byte " + getBytesRead() + " inside or before a header, "
                        + "without the end-of-archive marker");
            }
            return null;
        }
        if (isEOFRecord(record)) {
            endMarkerSeen = true;
        } else if (!endMarkerSeen && !validChecksum(record, offset)) {
            throw new IOException("bad header checksum at byte " + offset);
        }
        return record;
    }

    /** commons-compress throws IllegalArgumentException for a checksum field that is not octal (a file that is no tar). */
    private static boolean validChecksum(byte[] record, long offset) throws IOException {
        try {
            return TarUtils.verifyCheckSum(record);
        } catch (IllegalArgumentException e) {
            throw new IOException("no tar header at byte " + offset + " (not a tar file?)", e);
        }
    }

    /** Tags source errors and skips by reading, so a skip never claims bytes beyond the end of the file. */
    private static final class ReadThroughSource extends FilterInputStream {
        private final byte[] skipBuffer = new byte[8192];

        ReadThroughSource(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            int read = read(skipBuffer, 0, (int) Math.min(n, skipBuffer.length));
            return Math.max(read, 0);
        }

        @Override
        public int available() throws IOException {
            try {
                return in.available();
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }
    }
}
