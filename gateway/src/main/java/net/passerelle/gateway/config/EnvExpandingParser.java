package net.passerelle.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YAML parser as the configuration mapper reads it, with {@code ${NAME}} and {@code ${NAME:-default}} replaced
 * inside string values, after YAML has parsed them: what the environment holds is a value, whole, whatever it
 * contains ({@code #}, {@code : }, quotes); it can never change the document's structure, and the file's line
 * numbers stay the file's. Keys are never expanded.
 *
 * <p>It remembers what it substituted, so that error messages can leave the values out ({@link #scrub}), and where
 * each key was, so that an unknown key is reported at its own line ({@link #keyLine}).
 */
final class EnvExpandingParser extends JsonParserDelegate {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Function<String, String> environment;
    /** Every value substituted so far, by variable name. */
    private final Map<String, String> substituted = new LinkedHashMap<>();
    private String expanded;
    private char[] expandedChars;
    private List<String> currentVariables = List.of();
    /**
     * Keys whose default is a trap when a variable meant to set them is missing: {@code store.url} unset falls back to
     * the embedded store, so a fleet's gateway missing its environment file would serve an empty table (every host
     * unknown) as if nothing were wrong.
     */
    private static final java.util.Set<String> NOT_FROM_AN_UNSET_VARIABLE = java.util.Set.of("store.url");
    private String unsetProblem;
    /** The line of every key, by its path ({@code admin.tokens.alice}, {@code listeners[0]}). */
    private final Map<String, Integer> keyLines = new HashMap<>();

    EnvExpandingParser(JsonParser yaml, Function<String, String> environment) {
        super(yaml);
        this.environment = environment;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        expanded = null;
        expandedChars = null;
        currentVariables = List.of();
        if (t == JsonToken.FIELD_NAME || t != null && t.isScalarValue() && delegate.getParsingContext().inArray()) {
            // keys, and the items of lists (listeners[1]), so a check can name an item's own line
            JsonLocation at = delegate.currentTokenLocation();
            if (at != null && at.getLineNr() > 0) {
                keyLines.putIfAbsent(path(delegate.getParsingContext()), at.getLineNr());
            }
        }
        if (t == JsonToken.VALUE_STRING) {
            String raw = delegate.getText();
            if (raw != null && raw.contains("${")) {
                expand(raw);
            }
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    private void expand(String raw) {
        Matcher m = ENV.matcher(raw);
        StringBuilder sb = new StringBuilder();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            String value = environment.apply(m.group(1));
            if (value == null && m.group(2) == null && unsetProblem == null) {
                String key = path(delegate.getParsingContext());
                if (NOT_FROM_AN_UNSET_VARIABLE.contains(key)) {
                    JsonLocation at = delegate.currentTokenLocation();
                    unsetProblem = (at == null || at.getLineNr() < 1 ? " " : at.getLineNr() + ": ") + key + " is ${"
                            + m.group(1) + "}, which is not set: refused rather than falling back to the key's default (a"
                            + " fleet's gateway would serve its own empty store); set it, or write ${" + m.group(1)
                            + ":-} for the default";
                }
            }
            if (value == null) {
                value = m.group(2) == null ? "" : m.group(2);
            }
            names.add(m.group(1));
            substituted.put(m.group(1), value);
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        if (!names.isEmpty()) {
            expanded = sb.toString();
            currentVariables = List.copyOf(names);
        }
    }

    /** Why a key that must not come from an unset variable did ({@code "12: store.url is ${DB_URL}, …"}), or null. */
    String unsetProblem() {
        return unsetProblem;
    }

    /** The variables the current value was made from; empty when it was written in the file as it is. */
    List<String> currentVariables() {
        return currentVariables;
    }

    /**
     * The line where the key at {@code path} was written, or -1. (Jackson refuses an unknown key only once it has
     * read the whole object around it, so its own location is that object's end.)
     */
    int keyLine(String path) {
        return keyLines.getOrDefault(path, -1);
    }

    /** The path of the context's current key, written as the mapper's error paths are. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            parts.add(c.inObject() ? "." + c.getCurrentName() : "[" + c.getCurrentIndex() + "]");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) {
            sb.append(parts.get(i));
        }
        return sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }

    /** {@code message} with every substituted value replaced by the variable's name. */
    String scrub(String message) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (Map.Entry<String, String> e : substituted.entrySet()) {
            String v = e.getValue();
            if (v.isEmpty()) {
                continue;
            }
            String name = "${" + e.getKey() + "}";
            out = out.replace("\"" + v + "\"", "\"" + name + "\"").replace("'" + v + "'", "'" + name + "'");
            if (v.length() >= 4) {
                out = out.replace(v, name);
            }
        }
        return out;
    }

    // ---- the text of the current value, expanded ----------------------------------------------------------

    private boolean isExpanded() {
        return expanded != null && delegate.currentToken() == JsonToken.VALUE_STRING;
    }

    @Override
    public String getText() throws IOException {
        return isExpanded() ? expanded : delegate.getText();
    }

    @Override
    public String getValueAsString() throws IOException {
        return isExpanded() ? expanded : delegate.getValueAsString();
    }

    @Override
    public String getValueAsString(String defaultValue) throws IOException {
        return isExpanded() ? expanded : delegate.getValueAsString(defaultValue);
    }

    @Override
    public boolean hasTextCharacters() {
        return !isExpanded() && delegate.hasTextCharacters();
    }

    @Override
    public char[] getTextCharacters() throws IOException {
        if (!isExpanded()) {
            return delegate.getTextCharacters();
        }
        if (expandedChars == null) {
            expandedChars = expanded.toCharArray();
        }
        return expandedChars;
    }

    @Override
    public int getTextLength() throws IOException {
        return isExpanded() ? expanded.length() : delegate.getTextLength();
    }

    @Override
    public int getTextOffset() throws IOException {
        return isExpanded() ? 0 : delegate.getTextOffset();
    }

    @Override
    public int getText(Writer writer) throws IOException {
        if (!isExpanded()) {
            return delegate.getText(writer);
        }
        writer.write(expanded);
        return expanded.length();
    }
}
