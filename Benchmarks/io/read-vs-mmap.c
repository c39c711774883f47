/* read(2) into a reused 4 MiB buffer vs mmap + MADV_DONTNEED behind, each chunk hashed with XXH3.
   Build: cc -O2 read-vs-mmap.c -o read-vs-mmap -lxxhash; run: ./read-vs-mmap FILE read|mmap
   The figures in docs/performance.md ("Reader") come from it. */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){int fd=open(v[1],O_RDONLY);struct stat st;fstat(fd,&st);size_t n=st.st_size,C=4<<20;
 unsigned long long h=0;double t=now();
 if(v[2][0]=='r'){char*b=aligned_alloc(64,C);size_t got;while((got=read(fd,b,C))>0)h^=XXH3_64bits(b,got);}
 else{char*m=mmap(0,n,PROT_READ,MAP_PRIVATE,fd,0);madvise(m,n,MADV_SEQUENTIAL);for(size_t o=0;o<n;o+=C){size_t k=n-o<C?n-o:C;h^=XXH3_64bits(m+o,k);madvise(m+o,k,MADV_DONTNEED);}}
 printf("%s %.3f s %.0f MB/s %llx\n",v[2],now()-t,n/(now()-t)/1e6,h);}
