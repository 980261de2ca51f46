package net.passerelle.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 (port 0) in front of a server (MariaDB, here), that a test can:
 * <ul>
 *   <li>{@link #freeze()}: stop forwarding in both directions, keeping every socket open, as a network partition
 *       does (the client's calls hang until their timeouts), and {@link #thaw()}: forward what was held, and go on;</li>
 *   <li>{@link #down()}: close every connection and refuse (accept and close) new ones, as a killed server does, and
 *       {@link #up()}.</li>
 * </ul>
 * Plain blocking sockets, two threads per connection: the store's pools hold a handful.
 */
public final class FreezableRelay implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean frozen;
    private volatile boolean down;
    private volatile boolean closed;

    public FreezableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "relay-accept-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops forwarding; every connection stays open. */
    public void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** Forwards again, what was held first. */
    public void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** Closes every connection, and every new one as soon as it is accepted. */
    public void down() {
        down = true;
        closeAll();
    }

    public void up() {
        down = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (down) {
                quietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                quietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitThawed();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed: by down(), close(), or the other side
            } finally {
                quietly(from);
                quietly(to);
            }
        }, "relay-pump-" + from.getPort());
        t.setDaemon(true);
        t.start();
    }

    private void awaitThawed() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    private void closeAll() {
        for (Socket s : sockets) {
            quietly(s);
        }
        sockets.clear();
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        thaw();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        closeAll();
    }
}
