package net.passerelle.gateway.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.server.Transport;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The transports the gateway can run on ({@code server.transport}), for tests that run over each of them. A
 * transport the machine cannot load (no io_uring in an old kernel or a sandbox that forbids it, no epoll off Linux)
 * is skipped with Netty's reason, never silently replaced.
 *
 * <p>{@link Permutation} is the same thing in the shape of Netty's transport testsuite (as Netty's own epoll and
 * io_uring modules do it), so Netty's socket tests run over the channel classes and I/O handlers exactly as
 * {@link Transport} configures them for the gateway: server channels for the listeners, client channels of the same
 * transport for the backend connections.
 */
public final class GatewayTransports {
    public static final List<String> ALL = List.of("nio", "epoll", "io_uring");

    private GatewayTransports() {
    }

    /** Every transport's name, for {@code @MethodSource}; each test skips the ones this machine lacks. */
    public static Stream<String> names() {
        return ALL.stream();
    }

    public static void assumeAvailable(String transport) {
        String why = Transport.unavailability(transport);
        Assumptions.assumeTrue(why == null, () -> transport + " is not available on this machine: " + why);
    }

    /** The configuration with {@code server.transport} set. */
    public static GatewayConfig on(GatewayConfig config, String transport) {
        ServerConfig s = config.server();
        return config.withServer(new ServerConfig(s.ioThreads(), transport, s.gatewayId(), s.drainTimeout()));
    }

    /** Netty's socket-test permutation over the gateway's transports: each available one, server and client alike. */
    public static final class Permutation extends SocketTestPermutation {
        public static final Permutation INSTANCE = new Permutation();
        private static final Map<String, EventLoopGroup> GROUPS = new ConcurrentHashMap<>();

        private static List<Transport> available() {
            List<Transport> out = new ArrayList<>();
            for (String name : ALL) {
                if (Transport.unavailability(name) == null) {
                    out.add(Transport.select(name));
                }
            }
            return out;
        }

        private static EventLoopGroup group(Transport t) {
            // Shared for the whole run, like the testsuite's own groups: daemon threads, never shut down.
            return GROUPS.computeIfAbsent(t.name(), n -> t.newGroup(2, "testsuite-" + n));
        }

        @Override
        public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
            List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> out = new ArrayList<>();
            for (Transport t : available()) {
                out.add(new BootstrapComboFactory<>() {
                    @Override
                    public ServerBootstrap newServerInstance() {
                        return new ServerBootstrap().group(group(t)).channel(t.serverChannelClass());
                    }

                    @Override
                    public Bootstrap newClientInstance() {
                        return new Bootstrap().group(group(t)).channel(t.clientChannelClass());
                    }

                    @Override
                    public String toString() {
                        return t.name();
                    }
                });
            }
            return out;
        }

        @Override
        public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
            return socket().stream().<BootstrapFactory<ServerBootstrap>>map(c -> c::newServerInstance).toList();
        }

        @Override
        public List<BootstrapFactory<Bootstrap>> clientSocket() {
            return socket().stream().<BootstrapFactory<Bootstrap>>map(c -> c::newClientInstance).toList();
        }
    }
}
