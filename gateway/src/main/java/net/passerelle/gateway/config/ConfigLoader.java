package net.passerelle.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import net.passerelle.admin.model.HostPort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration strictly: an unknown key, a duplicate key or a bad value is an error whose message
 * names the file, the line and the key. {@code ${NAME}} and {@code ${NAME:-default}} are replaced inside values after
 * YAML has parsed them (see {@link EnvExpandingParser}), so what the environment holds is the value, whole.
 *
 * <h2>Secrets</h2>
 * No message ever quotes a value that came from the environment (it names the variable instead), nor the value of a
 * key that holds a secret ({@link #SECRET_KEYS}), nor the lines of the file around a YAML syntax error.
 */
public final class ConfigLoader {
    /** Keys whose values are secrets: never quoted in a message. */
    static final Pattern SECRET_KEYS = Pattern.compile(
            "(^|\\.)(token|tokens(\\.[^.]+)?|password|opsSecret|storeKey|secret)$");

    private final Function<String, String> environment;

    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public static ConfigLoader withSystemEnvironment() {
        return new ConfigLoader(System::getenv);
    }

    public GatewayConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration: " + readProblem(e), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Why a file could not be read, in words: the JDK's message for a missing or forbidden file is its path alone,
     * which the error already names (under the systemd unit, the gateway's user must be able to read the file).
     */
    static String readProblem(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: user " + System.getProperty("user.name") + " cannot read it (the gateway's user"
                    + " must: e.g. chown root:passerelle and chmod 0640 under the systemd unit)";
        }
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    public GatewayConfig parse(String yaml, String sourceName) {
        EnvExpandingParser parser;
        try {
            parser = new EnvExpandingParser(MAPPER.getFactory().createParser(yaml), environment);
        } catch (IOException e) {
            throw new ConfigException(sourceName + ": cannot read the configuration: " + e.getMessage(), e);
        }
        try (parser) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return GatewayConfig.defaults();
            }
            GatewayConfig config = MAPPER.readValue(parser, GatewayConfig.class);
            if (parser.unsetProblem() != null) {
                throw new ConfigException(sourceName + ":" + parser.unsetProblem(), null);
            }
            return config == null ? GatewayConfig.defaults() : config;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            int line = parser.keyLine(path(e));
            throw new ConfigException((line > 0 ? sourceName + ":" + line + ": " : where(sourceName, e.getLocation()))
                    + "unknown key '" + path(e) + "'" + (known.isEmpty() ? "" : " (known keys here: " + known + ")"), null);
        } catch (ValueInstantiationException e) {
            if (e.getPath().isEmpty() && rootCause(e) instanceof BadEntry entry) {
                // a check across sections (two listeners on one address): its message names its keys itself
                throw new ConfigException(whereRefused(sourceName, parser, e) + parser.scrub(entry.getMessage()), null);
            }
            throw new ConfigException(whereRefused(sourceName, parser, e) + badValue(parser, path(e), rootMessage(e)), null);
        } catch (JsonMappingException e) {
            throw new ConfigException(where(sourceName, e.getLocation()) + badValue(parser, path(e), reason(e)), null);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(sourceName, e.getLocation()) + "not valid YAML: " + yamlProblem(e), null);
        } catch (IOException e) {
            throw new ConfigException(sourceName + ": cannot read the configuration: " + e.getMessage(), e);
        }
    }

    /** Why a value was refused, without the value when it is a secret or came from the environment. */
    private static String badValue(EnvExpandingParser parser, String path, String reason) {
        List<String> variables = parser.currentVariables();
        String from = variables.isEmpty() ? "" : " (from " + variables.stream().map(v -> "${" + v + "}")
                .collect(Collectors.joining(", ")) + ")";
        if (SECRET_KEYS.matcher(path).find()) {
            return "bad value for '" + path + "'" + from + ": not shown, it is a secret; a text value is expected";
        }
        return "bad value for '" + path + "'" + from + ": " + parser.scrub(withoutExcerpt(reason));
    }

    /**
     * The problem SnakeYAML describes, without the excerpt of the file it quotes (which could hold a secret) and
     * without its own position (the message starts with ours).
     */
    private static String yamlProblem(JsonProcessingException e) {
        return withoutExcerpt(e.getOriginalMessage());
    }

    private static String withoutExcerpt(String message) {
        if (message == null) {
            return "unreadable";
        }
        List<String> kept = new ArrayList<>();
        for (String line : message.split("\\R")) {
            String t = line.strip();
            boolean excerpt = line.startsWith("    ") || t.equals("^") || t.startsWith("in 'reader'") || t.startsWith("in '");
            if (!t.isEmpty() && !excerpt) {
                kept.add(t);
            }
        }
        return kept.isEmpty() ? "unreadable" : String.join("; ", kept);
    }

    private static String where(String source, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return source + ": ";
        }
        return source + ":" + location.getLineNr() + ": ";
    }

    /**
     * Where a record's own constructor refused it. Jackson builds a record once it has read all of it, so its location
     * is past the record: the next key, or a line after the last. The line given is the entry the check names
     * ({@link BadEntry}), else the record's key, else the nearest enclosing key written in the file; else none.
     */
    private static String whereRefused(String source, EnvExpandingParser parser, ValueInstantiationException e) {
        List<String> keys = keys(e);
        if (rootCause(e) instanceof BadEntry entry) {
            keys.addAll(entry.keys());
        }
        for (int n = keys.size(); n > 0; n--) {
            int line = parser.keyLine(join(keys.subList(0, n)));
            if (line > 0) {
                return source + ":" + line + ": ";
            }
        }
        return source + ": ";
    }

    private static String path(JsonMappingException e) {
        String path = join(keys(e));
        return path.isEmpty() ? "(top level)" : path;
    }

    /** The error's path as keys and {@code [index]}es, outermost first. */
    private static List<String> keys(JsonMappingException e) {
        List<String> keys = new ArrayList<>();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                keys.add(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                keys.add("[" + ref.getIndex() + "]");
            }
        }
        return keys;
    }

    /** Keys written as {@link EnvExpandingParser#keyLine} and the messages spell paths. */
    static String join(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String key : keys) {
            if (!sb.isEmpty() && !key.startsWith("[")) {
                sb.append('.');
            }
            sb.append(key);
        }
        return sb.toString();
    }

    /** Why Jackson refused a value, in the file's terms: a number or a flag of the wrong shape, not a Java type. */
    private static String reason(JsonMappingException e) {
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            Class<?> type = f.getTargetType();
            if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
                return "not a whole number: '" + f.getValue() + "'";
            }
            if (type == Boolean.class || type == boolean.class) {
                return "not true or false: '" + f.getValue() + "'";
            }
        }
        if (rootCause(e) instanceof InputCoercionException c) {
            // Jackson's own words name a Java type ("out of range of int"); the file's reader needs the bounds.
            Class<?> type = c.getTargetType();
            boolean isLong = type == Long.TYPE || type == Long.class;
            if (isLong || type == Integer.TYPE || type == Integer.class) {
                return "out of range (a whole number from " + (isLong ? Long.MIN_VALUE : Integer.MIN_VALUE) + " to "
                        + (isLong ? Long.MAX_VALUE : Integer.MAX_VALUE) + " here)";
            }
        }
        return rootMessage(e);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = rootCause(e);
        if (t instanceof JsonProcessingException jpe) {
            return jpe.getOriginalMessage();
        }
        return t.getMessage();
    }

    private static final ObjectMapper MAPPER = buildMapper();

    private static ObjectMapper buildMapper() {
        YAMLFactory factory = YAMLFactory.builder().build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        SimpleModule module = new SimpleModule("passerelle-config");
        module.addDeserializer(HostPort.class, scalar("an address such as 127.0.0.1:8080 or [::1]:8080", HostPort::parse));
        module.addDeserializer(DataSize.class, scalar("a size such as 16KiB", DataSize::parse));
        module.addDeserializer(Duration.class, scalar("a duration such as 10s", Durations::parse));
        ObjectMapper mapper = YAMLMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(module)
                .build();
        // A number or a boolean may come as text (${VAR} gives text), but must read as one: "abc" and "1.5" are
        // refused for an integer, "yes" for a boolean; an empty text (an unset variable) means the default. (A bare yes
        // or on, unquoted, is a boolean already: the YAML parser reads YAML 1.1, where they mean true.)
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        return mapper;
    }

    private static <T> JsonDeserializer<T> scalar(String expected, Function<String, T> parse) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                JsonToken t = p.currentToken();
                if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT) {
                    throw JsonMappingException.from(p, "expected " + expected);
                }
                String text = p.getText();
                if (text.isEmpty()) {
                    return null; // an unset ${VAR}: the key's default
                }
                try {
                    return parse.apply(text);
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(p, e.getMessage());
                }
            }
        };
    }

}
