package io.distillery.text;

/** A vocab.txt or tokenizer.json is malformed or asks for something this tokenizer does not do; names the file. */
public class TokenizerFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
