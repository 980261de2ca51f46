package net.passerelle.gateway;
public final class Main { public static void main(String[] a) {} }
