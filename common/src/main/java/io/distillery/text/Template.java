package io.distillery.text;

import java.util.List;

/**
 * Where the special tokens go around one sequence or a pair (TemplateProcessing of Hugging Face tokenizers; its
 * BertProcessing is the template {@code [CLS]:0 $A:0 [SEP]:0} / {@code [CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1}).
 *
 * @param single the items for one sequence
 * @param pair the items for a pair
 */
record Template(List<Item> single, List<Item> pair) {

    /**
     * One item: a sequence ({@code sequence} 0 for A, 1 for B; {@code ids} and {@code tokens} empty) or special
     * tokens (sequence -1), all with the given token type id.
     */
    record Item(int sequence, List<Integer> ids, List<String> tokens, int typeId) {

        static Item sequence(int which, int typeId) {
            return new Item(which, List.of(), List.of(), typeId);
        }

        static Item special(String token, int id, int typeId) {
            return new Item(-1, List.of(id), List.of(token), typeId);
        }
    }

    Template {
        single = List.copyOf(single);
        pair = List.copyOf(pair);
    }

    /** [CLS] A [SEP] and [CLS] A [SEP] B [SEP], type ids 0 up to the first [SEP] and 1 after it. */
    static Template bert(String cls, int clsId, String sep, int sepId) {
        return new Template(
                List.of(Item.special(cls, clsId, 0), Item.sequence(0, 0), Item.special(sep, sepId, 0)),
                List.of(
                        Item.special(cls, clsId, 0),
                        Item.sequence(0, 0),
                        Item.special(sep, sepId, 0),
                        Item.sequence(1, 1),
                        Item.special(sep, sepId, 1)));
    }

    /** No post-processor: the sequences alone, the second with type id 1. */
    static Template none() {
        return new Template(List.of(Item.sequence(0, 0)), List.of(Item.sequence(0, 0), Item.sequence(1, 1)));
    }

    /** How many special tokens the template adds. */
    int added(boolean isPair) {
        int n = 0;
        for (Item item : isPair ? pair : single) {
            n += item.ids().size();
        }
        return n;
    }
}
