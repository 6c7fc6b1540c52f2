package org.sdatc.enhancer.app;

public final class Main {
    public static void main(String[] args) {
        System.out.println("sdatc-enhancer");
    }
}
