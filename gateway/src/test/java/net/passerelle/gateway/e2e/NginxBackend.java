package net.passerelle.gateway.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx from the distribution's packages, on kernel-chosen ports of 127.0.0.1 and ::1, serving one static
 * page per virtual host and the stock "Welcome to nginx!" page from its default server.
 *
 * <p>nginx cannot listen on port 0, and probing for a free port races with the rest of the machine. So
 * {@code e2e/nginx-launch.py} binds both listening sockets on port 0 itself, renders the configuration with the
 * ports the kernel chose, and execs nginx with the sockets in the {@code NGINX} environment variable: nginx's own
 * inherited-sockets mechanism (the one binary upgrades use) adopts a socket whose address matches a {@code listen}
 * directive instead of binding one. The sockets listen before nginx starts, so the first connection is simply
 * queued by the kernel until nginx accepts it: no readiness polling. {@link #start} checks that nginx really
 * adopted them ("using inherited sockets from" in its error log).
 *
 * <p>nginx runs with its master process: with {@code master_process off}, nginx 1.22 crashes (SIGSEGV) when it
 * inherits sockets. {@link #close} sends SIGTERM to the master, which stops its worker and exits; whatever is still
 * alive after that is killed.
 */
public final class NginxBackend implements AutoCloseable {

    /** A virtual host: its page, and on which of the two listeners it is configured. */
    public record Vhost(String serverName, String page, boolean onIpv4, boolean onIpv6) {
        public static Vhost both(String serverName, String page) {
            return new Vhost(serverName, page, true, true);
        }
    }

    private final Path dir;
    private final Process process;
    private final InetSocketAddress ipv4;
    private final InetSocketAddress ipv6;

    private NginxBackend(Path dir, Process process, int port4, int port6) {
        this.dir = dir;
        this.process = process;
        this.ipv4 = new InetSocketAddress("127.0.0.1", port4);
        this.ipv6 = new InetSocketAddress("::1", port6);
    }

    public static NginxBackend start(List<Vhost> vhosts) throws IOException, InterruptedException {
        String nginx = executable("nginx");
        Path dir = Files.createTempDirectory("passerelle-nginx-");
        for (String t : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve("tmp").resolve(t));
        }
        Path defaultRoot = Files.createDirectories(dir.resolve("html").resolve("_default"));
        Files.writeString(defaultRoot.resolve("index.html"), stockWelcomePage());
        StringBuilder servers = new StringBuilder();
        servers.append("  server {\n    listen 127.0.0.1:@PORT4@ default_server;\n    listen [::1]:@PORT6@ default_server;\n")
                .append("    server_name _;\n    root ").append(defaultRoot).append(";\n  }\n");
        for (Vhost v : vhosts) {
            Path root = Files.createDirectories(dir.resolve("html").resolve(v.serverName()));
            Files.writeString(root.resolve("index.html"), v.page());
            servers.append("  server {\n");
            if (v.onIpv4()) {
                servers.append("    listen 127.0.0.1:@PORT4@;\n");
            }
            if (v.onIpv6()) {
                servers.append("    listen [::1]:@PORT6@;\n");
            }
            servers.append("    server_name ").append(v.serverName()).append(";\n    root ").append(root).append(";\n  }\n");
        }
        // As root (CI containers), workers would otherwise switch to "nobody", who cannot read the private temp
        // directory; as anyone else, nginx ignores the directive with a warning.
        String conf = "user " + System.getProperty("user.name") + ";\n"
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " notice;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "  default_type text/html;\n"
                + "  log_format e2e '$host $request_method $request_uri $status';\n"
                + "  access_log " + dir.resolve("access.log") + " e2e;\n"
                + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
                + "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
                // Which listener answered: lets a test tell whether the gateway came over IPv4 or IPv6.
                + "  add_header X-Served-By $server_addr:$server_port always;\n"
                + servers
                + "}\n";
        Path template = dir.resolve("nginx.conf.in");
        Files.writeString(template, conf);
        Path launcher = dir.resolve("nginx-launch.py");
        try (InputStream in = NginxBackend.class.getResourceAsStream("/e2e/nginx-launch.py")) {
            if (in == null) {
                throw new IllegalStateException("test resource e2e/nginx-launch.py is missing");
            }
            Files.copy(in, launcher);
        }
        ProcessBuilder pb = new ProcessBuilder(executable("python3"), launcher.toString(), nginx, dir.toString(),
                template.toString())
                .redirectError(dir.resolve("stderr.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        // The launcher's first and only line; nginx itself writes nothing to stdout. EOF means the launcher or
        // nginx died before it got there.
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (line == null || !line.startsWith("ports ")) {
            p.waitFor(5, TimeUnit.SECONDS);
            String err = Files.readString(dir.resolve("stderr.log"));
            destroy(p);
            throw new IllegalStateException("nginx launcher failed (" + line + "): " + err);
        }
        String[] parts = line.split(" ");
        return new NginxBackend(dir, p, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    /**
     * The stock page of the distribution's package when it is there (Debian ships it twice), else its canonical
     * text: what a fresh, unconfigured nginx shows.
     */
    static String stockWelcomePage() throws IOException {
        for (String candidate : List.of("/usr/share/nginx/html/index.html", "/var/www/html/index.nginx-debian.html")) {
            Path p = Path.of(candidate);
            if (Files.isReadable(p)) {
                return Files.readString(p, StandardCharsets.UTF_8);
            }
        }
        return "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
                + "<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\n"
                + "working. Further configuration is required.</p>\n</body>\n</html>\n";
    }

    private static String executable(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        throw new IllegalStateException(name + " is not installed; the end-to-end tests need it (apt-get install -y "
                + (name.equals("nginx") ? "nginx-light" : "python3-minimal") + ")");
    }

    public InetSocketAddress ipv4() {
        return ipv4;
    }

    /** The document root of a virtual host: files a test writes there are served as they are, at once. */
    public Path root(String serverName) {
        return dir.resolve("html").resolve(serverName);
    }

    public InetSocketAddress ipv6() {
        return ipv6;
    }

    public String errorLog() {
        return read("error.log");
    }

    /** One line per request nginx has finished ("host method uri status"). */
    public List<String> accessLog() {
        String log = read("access.log");
        return log.isEmpty() ? List.of() : List.of(log.split("\n"));
    }

    private String read(String name) {
        try {
            Path p = dir.resolve(name);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        destroy(process);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing a test for
        }
    }

    private static void destroy(Process p) {
        // Taken before the master goes: its workers would be orphans the JVM no longer sees as descendants.
        List<ProcessHandle> family = new ArrayList<>(p.descendants().toList());
        p.destroy();
        boolean exited;
        try {
            exited = p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            p.destroyForcibly();
        }
        for (ProcessHandle h : family) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
            for (ProcessHandle h : family) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("nginx did not stop", e);
        }
    }
}
