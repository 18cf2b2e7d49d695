package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.shards.ShardTestData.Member;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text input ({@code input.modality = text}) of each format: what becomes a sample's text, key and label. */
class TextReadersTest {
    private static final MessageType TEXTS = MessageTypeParser.parseMessageType(
            "message texts { required binary id (UTF8); optional binary sentence (UTF8); optional int32 y; }");

    private static InputOptions text(ShardFormat format, Path path, String textColumn, String label, boolean lines) {
        return new InputOptions(
                format, path.toString(), 1000, 4, "jpg", "id", "caption", label, Modality.TEXT, textColumn, lines);
    }

    private static List<RawSample> read(InputOptions options) throws Exception {
        ShardPlan plan = ShardLister.list(options, new Configuration());
        assertThat(plan.shards()).hasSize(1);
        return ShardTestData.readAll(plan.shards().get(0), options, List.of());
    }

    @Test
    void textLinesAreOneExamplePerLineKeyedByLineNumber(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "first line\r\n\nthird, after an empty one\nlast without LF");
        List<RawSample> samples = read(text(ShardFormat.TEXT_LINES, dir, null, null, false));
        assertThat(samples).extracting(RawSample::key).containsExactly("notes:1", "notes:2", "notes:3", "notes:4");
        assertThat(samples)
                .extracting(RawSample::caption)
                .containsExactly("first line", "", "third, after an empty one", "last without LF");
        assertThat(samples)
                .extracting(RawSample::imageName)
                .containsExactly("notes.txt:1", "notes.txt:2", "notes.txt:3", "notes.txt:4");
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.label()).isNull();
            assertThat(s.problem()).isNull();
        });
    }

    @Test
    void labelledLinesSplitAtTheFirstTabAndRejectBadLabels(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("train.txt"), "3\tgood\ttab kept\nno tab here\nx\tnot a number\n 0 \tok\n");
        List<RawSample> samples = read(text(ShardFormat.TEXT_LINES, dir, null, null, true));
        assertThat(samples).hasSize(4);
        assertThat(samples.get(0).label()).isEqualTo(3);
        assertThat(samples.get(0).caption()).isEqualTo("good\ttab kept");
        assertThat(samples.get(1).problem()).isEqualTo(SampleProblem.BAD_LABEL);
        assertThat(samples.get(1).problemMessage()).contains("train.txt:2", "no TAB");
        assertThat(samples.get(2).problem()).isEqualTo(SampleProblem.BAD_LABEL);
        assertThat(samples.get(2).problemMessage()).contains("train.txt:3", "'x'");
        assertThat(samples.get(3).label()).isZero();
        assertThat(samples.get(3).caption()).isEqualTo("ok");
    }

    @Test
    void invalidUtf8FailsTheShardNamingTheLine(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("bad.txt"), new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        InputOptions options = text(ShardFormat.TEXT_LINES, dir, null, null, false);
        assertThatThrownBy(() -> read(options))
                .isInstanceOf(ShardCorruptException.class)
                .hasMessageContaining("bad.txt: line 2 is not valid UTF-8");
    }

    @Test
    void textLinesNeedTextModalityAndTextCannotReadImageFolders(@TempDir Path dir) {
        assertThatThrownBy(() -> new InputOptions(
                        ShardFormat.TEXT_LINES, dir.toString(), 1000, 4, "jpg", "key", "caption", null))
                .hasMessageContaining("input.modality = text");
        assertThatThrownBy(() -> text(ShardFormat.IMAGE_FOLDER, dir, null, null, false))
                .hasMessageContaining("image-folder holds images");
        assertThatThrownBy(() -> text(ShardFormat.PARQUET, dir, " ", null, false))
                .hasMessageContaining("input.text-column");
    }

    @Test
    void webDatasetTextComesFromTxtOrJsonAndImagesAreNotNeeded(@TempDir Path dir) throws Exception {
        ShardTestData.tar(
                dir.resolve("00000.tar"),
                Member.text("a.txt", "  a caption  "),
                Member.text("a.cls", "4"),
                Member.bytes("b.jpg", 64, 1),
                Member.text("b.json", "{\"caption\": \"from json\", \"text\": \"not this\"}"),
                Member.text("c.json", "{\"text\": \"the text field\"}"),
                Member.bytes("d.jpg", 64, 2),
                Member.text("d.json", "{\"url\": \"no text\"}"));
        List<RawSample> samples = read(text(ShardFormat.WEBDATASET, dir, null, null, false));
        assertThat(samples).extracting(RawSample::key).containsExactly("a", "b", "c", "d");
        assertThat(samples)
                .extracting(RawSample::caption)
                .containsExactly("a caption", "from json", "the text field", null);
        assertThat(samples.get(0).label()).isEqualTo(4);
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.image()).as("images are not read for text").isNull();
            assertThat(s.problem()).isNull();
        });
        assertThat(samples.get(3).imageName()).isEqualTo("00000.tar/d.json");
    }

    @Test
    void parquetReadsTheTextAndLabelColumns(@TempDir Path dir) throws Exception {
        SimpleGroupFactory rows = new SimpleGroupFactory(TEXTS);
        ShardTestData.parquet(dir.resolve("part-0.parquet"), TEXTS, 1 << 20, 3, i -> {
            Group g = rows.newGroup().append("id", "row" + i).append("y", i * 2);
            if (i != 1) {
                g.append("sentence", "sentence " + i);
            }
            return g;
        });
        List<RawSample> samples = read(text(ShardFormat.PARQUET, dir, "sentence", "y", false));
        assertThat(samples).extracting(RawSample::key).containsExactly("row0", "row1", "row2");
        assertThat(samples).extracting(RawSample::caption).containsExactly("sentence 0", null, "sentence 2");
        assertThat(samples).extracting(RawSample::label).containsExactly(0, 2, 4);
        assertThat(samples.get(1).imageName()).isEqualTo("part-0.parquet#1");
    }

    @Test
    void aMissingTextColumnFailsTheListingNamingFileAndColumns(@TempDir Path dir) throws Exception {
        SimpleGroupFactory rows = new SimpleGroupFactory(TEXTS);
        ShardTestData.parquet(
                dir.resolve("part-0.parquet"),
                TEXTS,
                1 << 20,
                1,
                i -> rows.newGroup().append("id", "r"));
        InputOptions options = text(ShardFormat.PARQUET, dir, "caption_text", null, false);
        assertThatThrownBy(() -> ShardLister.list(options, new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input.text-column 'caption_text' is not a column of")
                .hasMessageContaining("part-0.parquet")
                .hasMessageContaining("[id, sentence, y]");
    }

    @Test
    void textUsesNoImageColumn(@TempDir Path dir) throws Exception {
        // an image column that does not exist is not checked for text input
        SimpleGroupFactory rows = new SimpleGroupFactory(TEXTS);
        ShardTestData.parquet(
                dir.resolve("p.parquet"),
                TEXTS,
                1 << 20,
                1,
                i -> rows.newGroup()
                        .append("id", "k")
                        .append("sentence", new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
        assertThat(read(text(ShardFormat.PARQUET, dir, "sentence", null, false)))
                .extracting(RawSample::caption)
                .containsExactly("é");
    }
}
