package net.passerelle.admin.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A class loader that defines some classes itself, from the same class path as its parent, so that they can be
 * unloaded with it: the classes of the application class loader never are. Only the names it is given are its own
 * (a prefix ending in a dot is a package and its subpackages, any other a class and its nested classes); every
 * other class, and every resource, comes from the parent, so the two share the JDK, logging, JDBC and the
 * application's objects. Resources come from the parent alone because the class path is the same: searching both
 * would find each resource twice (a library scanning a location would see every file twice).
 */
final class ChildFirstClassLoader extends ClassLoader implements Closeable {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final List<ClassPathEntry> classPath;
    private final List<String> own;

    ChildFirstClassLoader(String name, List<ClassPathEntry> classPath, ClassLoader parent, List<String> own) {
        super(name, parent);
        this.classPath = List.copyOf(classPath);
        this.own = List.copyOf(own);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isOwn(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notOnTheClassPath) {
                    // A class path that does not hold it (a launcher of its own): the parent's copy still works,
                    // it only stays loaded.
                    return getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private boolean isOwn(String name) {
        for (String o : own) {
            boolean match = o.endsWith(".") ? name.startsWith(o) : name.equals(o) || name.startsWith(o + "$");
            if (match) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/').concat(".class");
        try {
            for (ClassPathEntry e : classPath) {
                byte[] b = e.read(resource);
                if (b != null) {
                    return defineClass(name, b, 0, b.length, e.domain());
                }
            }
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        throw new ClassNotFoundException(name);
    }

    /** Closes the class path's jars; the classes defined go when nothing references them any more. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ClassPathEntry e : classPath) {
            try {
                e.close();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
