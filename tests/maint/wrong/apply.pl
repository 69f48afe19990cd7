#!/usr/bin/perl
# apply.pl - makes one wrong version of the solved course (versions.txt).
#
#   perl tests/maint/wrong/apply.pl VERSIONS ID OUT_DIR   make OUT_DIR/STAGE/
#   perl tests/maint/wrong/apply.pl VERSIONS --list      ID, exercise, stage, core|extra|sanitize
#
# A version is solutions/<its stage> with literal replacements in one
# file; each "replace" must match exactly once, so a version that no
# longer fits the solutions stops the check instead of testing nothing.
use strict;
use warnings;

my ($versions, $wanted, $out) = @ARGV;
die "usage: apply.pl VERSIONS ID OUT_DIR | --list\n" unless defined $wanted;

my %stage_of;
open my $manifest, '<', 'tests/course.txt' or die "tests/course.txt: $!\n";
while (<$manifest>) {
    $stage_of{$1} = $2 if /^stage\t(\d+)\t(\S+)/;
}
close $manifest;

sub text {
    my $t = shift;
    $t =~ s/\\(n|t|\\)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : "\\"/ge;
    return $t;
}

my (@all, $v);
open my $in, '<', $versions or die "$versions: $!\n";
while (my $line = <$in>) {
    chomp $line;
    next if $line =~ /^\s*(#|$)/;
    if ($line =~ /^version\s+(\S+)\s+(\d+)\.(\d+)\s+(\S+)(?:\s+(extra|sanitize))?$/) {
        $v = { id => $1, exercise => "$2.$3", stage => $stage_of{$2}, file => $4, edits => [],
               set => $5 // 'core' };
        die "$versions:$.: no stage $2 in tests/course.txt\n" unless $v->{stage};
        push @all, $v;
    } elsif ($line =~ /^note\s+(.*)$/) {
        $v->{note} .= "$1 ";
    } elsif ($line =~ /^replace \|(.*)$/) {
        push @{ $v->{edits} }, [ text($1), undef ];
    } elsif ($line =~ /^with \|(.*)$/) {
        $v->{edits}[-1][1] = text($1);
    } else {
        die "$versions:$.: cannot read this line: $line\n";
    }
}
close $in;

if ($wanted eq '--list') {
    print "$_->{id}\t$_->{exercise}\t$_->{stage}\t$_->{set}\n" for @all;
    exit 0;
}
my ($version) = grep { $_->{id} eq $wanted } @all;
die "no version $wanted in $versions\n" unless $version;
die "version $wanted has no note\n" unless $version->{note};

my $stage = $version->{stage};
system('mkdir', '-p', "$out/$stage") == 0 or die "mkdir $out/$stage failed\n";
system("cp solutions/$stage/* '$out/$stage/'") == 0 or die "copying solutions/$stage failed\n";
my $path = "$out/$stage/$version->{file}";
open my $src, '<', $path or die "$path: $!\n";
my $code = do { local $/; <$src> };
close $src;
for my $edit (@{ $version->{edits} }) {
    my ($old, $new) = @$edit;
    die "version $wanted: a replace without its with\n" unless defined $new;
    my $count = () = $code =~ /\Q$old\E/g;
    die "version $wanted: '$old' occurs $count times in $version->{file}, not once\n"
        unless $count == 1;
    my $at = index $code, $old;
    substr($code, $at, length $old) = $new;
}
open my $dst, '>', $path or die "$path: $!\n";
print $dst $code;
close $dst;
print "$version->{exercise}\t$stage\t$version->{set}\n";
