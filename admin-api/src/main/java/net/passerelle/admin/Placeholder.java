package net.passerelle.admin;
final class Placeholder {}
