package net.passerelle.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration strictly: an unknown key, a duplicate key or a bad value is an error whose message
 * names the file, the line and the key. {@code ${NAME}} and {@code ${NAME:-default}} are expanded from the
 * environment before parsing.
 */
public final class ConfigLoader {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

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
            throw new ConfigException(file + ": cannot read the configuration: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public GatewayConfig parse(String yaml, String sourceName) {
        String expanded = expand(yaml, sourceName);
        if (expanded.isBlank()) {
            return GatewayConfig.defaults();
        }
        try {
            GatewayConfig config = MAPPER.readValue(expanded, GatewayConfig.class);
            return config == null ? GatewayConfig.defaults() : config;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(where(sourceName, e.getLocation()) + "unknown key '" + path(e) + "'"
                    + (known.isEmpty() ? "" : " (known keys here: " + known + ")"), e);
        } catch (JsonMappingException e) {
            throw new ConfigException(where(sourceName, e.getLocation()) + "bad value for '" + path(e) + "': "
                    + rootMessage(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(sourceName, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    private String expand(String yaml, String sourceName) {
        StringBuilder out = new StringBuilder(yaml.length());
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = commentStart(line);
            Matcher m = ENV.matcher(line);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                if (hash >= 0 && m.start() > hash) {
                    break;
                }
                String value = environment.apply(m.group(1));
                if (value == null) {
                    value = m.group(2) == null ? "" : m.group(2);
                }
                if (value.indexOf('\n') >= 0) {
                    throw new ConfigException(sourceName + ":" + (i + 1) + ": environment variable " + m.group(1)
                            + " holds a line break, which cannot be placed in the configuration");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            out.append(sb);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static int commentStart(String line) {
        // A '#' starts a comment at the line start or after white space (YAML's rule, outside quotes).
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }

    private static String where(String source, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return source + ": ";
        }
        return source + ":" + location.getLineNr() + ": ";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(top level)" : sb.toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
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
        // "abc" must not quietly become 0, nor 1.5 become 1; booleans are true/false only.
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
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
                try {
                    return parse.apply(p.getText());
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(p, e.getMessage());
                }
            }
        };
    }

}
