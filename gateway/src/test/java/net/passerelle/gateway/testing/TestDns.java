package net.passerelle.gateway.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * A DNS server on a UDP port 0 of 127.0.0.1 that answers every A question with 127.0.0.1 and every other question
 * with no record: what an ACME server under test needs to reach the gateway by any name.
 */
public final class TestDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;

    public TestDns() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        thread = new Thread(this::serve, "test-dns");
        thread.setDaemon(true);
        thread.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private static byte[] answer(ByteBuffer q) {
        short id = q.getShort(0);
        int pos = 12;
        while (q.get(pos) != 0) {
            pos += (q.get(pos) & 0xff) + 1;
        }
        int questionEnd = pos + 5;
        int qtype = q.getShort(pos + 1) & 0xffff;
        boolean a = qtype == 1;
        ByteBuffer out = ByteBuffer.allocate(questionEnd + 16);
        out.putShort(id).putShort((short) 0x8180).putShort((short) 1).putShort((short) (a ? 1 : 0))
                .putShort((short) 0).putShort((short) 0);
        out.put(q.array(), q.arrayOffset() + 12, questionEnd - 12);
        if (a) {
            out.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(5).putShort((short) 4)
                    .put(new byte[] {127, 0, 0, 1});
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        socket.close();
    }
}
